"""Engine-neutral search work the API does around an engine: selections, snippets, posts, threads, timelines, suggestions."""
