"""Engine-neutral work the API does around an engine: thread order, timelines, did-you-mean."""
