// The part of the `jsonld` processor the tests use (it ships no types; @types/jsonld lags it).
declare module 'jsonld' {
  interface RemoteDocument {
    contextUrl?: string;
    documentUrl: string;
    document: unknown;
  }
  interface Options {
    documentLoader?: (url: string) => Promise<RemoteDocument>;
  }
  const jsonld: {
    expand(input: unknown, options?: Options): Promise<Array<Record<string, unknown>>>;
  };
  export default jsonld;
}
