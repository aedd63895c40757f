"""Reads an armsgraph export with NetworkX and prints what it found as JSON (tests/integration/exports*).

usage: read-with-networkx.py <graphml|gexf|node-link> <file> [node id ...]
"""
import json
import sys

import networkx as nx
from networkx.readwrite.gexf import GEXF

fmt, path, *wanted = sys.argv[1:]

if fmt == "graphml":
    # Edge ids are strings (keys of a multigraph); force a MultiDiGraph even when no edge is parallel.
    G = nx.read_graphml(path, edge_key_type=str, force_multigraph=True)
elif fmt == "gexf":
    if "1.3" not in GEXF.versions:
        # NetworkX < 3 (Debian 12 ships 2.8.8) knows GEXF up to 1.2draft; its reader is the same for 1.3,
        # which NetworkX 3 registers with exactly this entry (namespace and schema location only).
        GEXF.versions["1.3"] = {
            "NS_GEXF": "http://gexf.net/1.3",
            "NS_VIZ": "http://gexf.net/1.3/viz",
            "NS_XSI": "http://w3.org/2001/XMLSchema-instance",
            "SCHEMALOCATION": "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
            "VERSION": "1.3",
        }
    G = nx.read_gexf(path, version="1.3")
elif fmt == "node-link":
    with open(path, encoding="utf-8") as f:
        G = nx.node_link_graph(json.load(f))
else:
    raise SystemExit(f"unknown format {fmt}")

edge_ids = [k for _, _, k in G.edges(keys=True)] if G.is_multigraph() else []
out = {
    "version": nx.__version__,
    "nodes": G.number_of_nodes(),
    "edges": G.number_of_edges(),
    "directed": G.is_directed(),
    "multigraph": G.is_multigraph(),
    "distinctEdgeKeys": len(set(edge_ids)),
    "nodeData": {n: {k: v for k, v in G.nodes[n].items()} for n in wanted if n in G},
    "edgesBetween": {
        f"{u}->{v}": sorted(str(k) for k in G[u][v]) if G.is_multigraph() else 1
        for u in wanted
        for v in wanted
        if u in G and v in G and G.has_edge(u, v)
    },
    # Every edge's data between the wanted nodes (weights as NetworkX reads them).
    "edgeData": {
        f"{u}->{v}": [dict(d) for d in (G[u][v].values() if G.is_multigraph() else [G[u][v]])]
        for u in wanted
        for v in wanted
        if u in G and v in G and G.has_edge(u, v)
    },
}
print(json.dumps(out, default=str))
