import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import cytoscape from 'cytoscape';
import { parse as parseCsv } from 'csv-parse/sync';
import { MultiDirectedGraph } from 'graphology';
import { parse as parseGexf } from 'graphology-gexf';
import { parse as parseGraphml } from 'graphology-graphml';

/**
 * Real readers for every export format (issue #5): what graph tools see when they open the file.
 * NetworkX is Debian's python3-networkx under the system python (scripts/setup-test-tools.sh installs
 * it); another python on PATH (pyenv, venv) may lack it or be another version.
 */
export const SYSTEM_PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface ReadBack {
  nodes: number;
  edges: number;
  /** The node's display name as the reader reports it. */
  name(id: string): unknown;
}

export function readCytoscape(text: string): ReadBack & { cy: cytoscape.Core } {
  const json = JSON.parse(text) as { elements: cytoscape.ElementsDefinition };
  const cy = cytoscape({ headless: true, elements: json.elements });
  return {
    cy,
    nodes: cy.nodes().length,
    edges: cy.edges().length,
    name: (id) => cy.getElementById(id).data('label') as unknown,
  };
}

export function readGraphologyGraphml(text: string): ReadBack & { graph: MultiDirectedGraph } {
  const graph = parseGraphml(MultiDirectedGraph, text) as MultiDirectedGraph;
  return {
    graph,
    nodes: graph.order,
    edges: graph.size,
    name: (id) => (graph.hasNode(id) ? graph.getNodeAttribute(id, 'label') : undefined),
  };
}

export function readGraphologyGexf(text: string): ReadBack & { graph: MultiDirectedGraph } {
  const graph = parseGexf(MultiDirectedGraph, text) as MultiDirectedGraph;
  return {
    graph,
    nodes: graph.order,
    edges: graph.size,
    name: (id) => (graph.hasNode(id) ? graph.getNodeAttribute(id, 'label') : undefined),
  };
}

export interface NetworkxReport {
  version: string;
  nodes: number;
  edges: number;
  directed: boolean;
  multigraph: boolean;
  distinctEdgeKeys: number;
  nodeData: Record<string, Record<string, unknown>>;
  edgesBetween: Record<string, string[]>;
  /** The data of every edge between the wanted nodes, keyed `u->v`. */
  edgeData: Record<string, Record<string, unknown>[]>;
}

const NX_SCRIPT = path.join(__dirname, 'read-with-networkx.py');

/** Reads a file with NetworkX (read_graphml, read_gexf, node_link_graph) in a python3 child process. */
export function readNetworkx(
  format: 'graphml' | 'gexf' | 'node-link',
  text: string,
  ids: string[] = [],
): NetworkxReport & ReadBack {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-nx-'));
  const file = path.join(dir, `export.${format}`);
  try {
    fs.writeFileSync(file, text);
    const out = execFileSync(SYSTEM_PYTHON, [NX_SCRIPT, format, file, ...ids], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const report = JSON.parse(out) as NetworkxReport;
    return { ...report, name: (id) => report.nodeData[id]?.label };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An RFC 4180 file read by csv-parse: header names → rows of cells. */
export function readCsv(text: string): Record<string, string>[] {
  return parseCsv(text, { columns: true, bom: true, relax_column_count: false }) as Record<string, string>[];
}
