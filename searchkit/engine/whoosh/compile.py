"""TEMPORARY (replaced by the query tree's compiler at merge): passes Whoosh queries through."""


def to_whoosh(node):
    return node
