import type { Database } from './database';
import { graphNodesOf, nodesByIdsCypher, type GraphEdge, type Subgraph } from './subgraph-queries';
import { transferNetworkEdges, type TotalsQuery, type TotalsOptions } from './transfer-totals';

/** Most edges a network holds (the largest pairs are kept; `truncated` says when more were there). */
export const MAX_NETWORK_EDGES = 50_000;

export interface NetworkArgs extends Omit<TotalsQuery, 'by' | 'then'> {
  minTiv?: number | null;
}

/** A SUPPLIED edge's stable id: one edge per supplier and recipient. */
export const suppliedEdgeId = (supplierId: string, recipientId: string) =>
  `SUPPLIED:${supplierId}:${recipientId}:`;

/**
 * The supplier → recipient network (Query.transferNetwork and its exports): the parties of the pairs
 * as nodes, one SUPPLIED edge per pair with `weight` (TIV delivered in the period, millions) and
 * `deals`, summed as the transfer tables sum them (src/db/transfer-totals.ts).
 */
export async function transferNetwork(
  db: Database,
  args: NetworkArgs,
  source: TotalsOptions['source'] = 'auto',
): Promise<Subgraph> {
  const { edges: pairs, truncated } = await transferNetworkEdges(
    db,
    args,
    args.minTiv ?? 0,
    MAX_NETWORK_EDGES,
    source,
  );
  const ids = [...new Set(pairs.flatMap((e) => [e.supplierId, e.recipientId]))];
  const rows = await db.read(nodesByIdsCypher(), { ids });
  const edges: GraphEdge[] = pairs.map((e) => ({
    id: suppliedEdgeId(e.supplierId, e.recipientId),
    type: 'SUPPLIED',
    source: e.supplierId,
    target: e.recipientId,
    properties: { weight: e.weight, deals: e.deals },
  }));
  return {
    nodes: graphNodesOf(rows),
    edges,
    truncated,
    truncatedBy: truncated ? ['EDGES'] : [],
    // Every edge brings at most two parties.
    nodeCap: 2 * MAX_NETWORK_EDGES,
    edgeCap: MAX_NETWORK_EDGES,
  };
}
