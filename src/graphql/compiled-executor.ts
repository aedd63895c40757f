import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { execute, printSchema, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { INTERPRETED, type OperationCache } from './operation-cache';

type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

export interface CompiledExecutorStats {
  compiled: number;
  interpreted: number;
}

/**
 * Apollo Server with each distinct operation compiled once by graphql-jit. Apollo already keeps every
 * document parsed and validated (its document store) and the limit walk is compiled per document
 * (operation-cache.ts); what a request still paid for was graphql-js's execute, which walks the
 * document's selections, looks up each field's type and resolver and checks every value against its
 * type again on every request. graphql-jit turns an operation into one JavaScript function that does
 * that work once, so a request only coerces its variables and runs the resolvers.
 *
 * Apollo 5 takes another executor only through its `gateway` option: this is a gateway of one local
 * schema whose executor keeps the compiled operation in the operation cache, beside the document's
 * limit walk (one entry per document text, bounded as a whole). Parsing, validation, the plugins'
 * hooks and error formatting stay Apollo's. A document graphql-jit cannot compile runs on
 * graphql-js's execute, remembered so that it is tried only once.
 *
 * One difference resolvers must respect: a field without a resolver is read as a plain value, so a
 * parent object must not hold a promise there (graphql-js waited for it; graphql-jit answers null).
 * Something loaded later is a field resolver's work (e.g. AllianceConflict.member).
 */
export function compiledGateway(
  schema: GraphQLSchema,
  cache: OperationCache,
): { gateway: GatewayInterface; stats(): CompiledExecutorStats } {
  let compiledCount = 0;
  let interpretedCount = 0;
  const gateway: GatewayInterface = {
    onSchemaLoadOrUpdate(callback) {
      // One schema, never updated: Apollo derives its document store and schema hash from it once.
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async load() {
      return {
        executor: async (request): Promise<ExecutionResult> => {
          const operationName = request.request.operationName ?? null;
          // The limit check looked the text up already (requestLimits); a text it could not parse
          // is compiled from Apollo's document.
          const source = request.source ?? '';
          const op = cache.peek(source, operationName) ?? cache.operation(source, operationName);
          const program = cache.executableProgram(op, schema, { document: request.document, operationName });
          const interpret = () =>
            execute({
              schema,
              document: request.document,
              contextValue: request.context,
              variableValues: request.request.variables,
              operationName,
            });
          if (program === INTERPRETED) {
            interpretedCount++;
            return interpret();
          }
          compiledCount++;
          const result = await program.query(undefined, request.context, request.request.variables ?? {});
          // No data at all: graphql-jit refused the variables before running any resolver. Its
          // messages and error nodes differ from graphql-js's (which Apollo reads to answer
          // BAD_USER_INPUT), so graphql-js coerces them again and answers as it always did; it
          // refuses them too, again before any resolver runs.
          if (result.data === undefined && result.errors?.length) return interpret();
          return result;
        },
      };
    },
    async stop() {},
  };
  return {
    gateway,
    stats: () => ({ compiled: compiledCount, interpreted: interpretedCount }),
  };
}
