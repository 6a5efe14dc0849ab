// Which database to open: the config parses it (PORTAL_DATABASE_URL), src/db/database.ts opens it.
export type DatabaseTarget =
  | { readonly dialect: 'sqlite'; readonly file: string } // ':memory:' for an in-memory database
  | { readonly dialect: 'postgres'; readonly url: string }

export type Dialect = DatabaseTarget['dialect']
