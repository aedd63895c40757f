// The offline GraphQL IDE at /graphiql: GraphiQL and React bundled from our own npm dependencies
// (scripts/build-web.js), talking to this service's /graphql. Apollo's landing page stays disabled,
// because its sandbox loads from a CDN.
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import 'graphiql/style.css';
import './page.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

type Fetcher = GraphiQLProps['fetcher'];

const DEFAULT_QUERY = `# armsgraph: who bought the S-400, when, and from whom?
# Names and aliases work as ids. Ctrl-Enter runs the query.
{
  weaponSystem(id: "S-400 Triumf") {
    name
    deals {
      id
      status
      orderYear
      buyer { id name }
      seller { id name }
      sources { id name url }
    }
  }
}
`;

// A plain JSON-over-HTTP fetcher: no subscriptions, no multipart, nothing that leaves this origin.
// GraphiQL's own schema query is answered from /graphiql/schema.json, which the service serves even
// when GraphQL introspection is off (the production default), with the same token as any read.
const fetcher: Fetcher = async (params, opts) => {
  const headers = { accept: 'application/json', ...opts?.headers };
  if (params.operationName === 'IntrospectionQuery') {
    return (await fetch('/graphiql/schema.json', { headers })).json();
  }
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(params),
  });
  return res.json();
};

const container = document.getElementById('graphiql');
if (container) {
  createRoot(container).render(
    createElement(GraphiQL, {
      fetcher,
      defaultQuery: DEFAULT_QUERY,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
}
