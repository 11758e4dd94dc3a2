'use strict'

// The GraphQL endpoint's brain: schema.graphql + resolvers.js, and the
// parse -> validate -> coerce variables -> execute pipeline.
//
// Answers follow graphql-ruby, which serves the real API:
// - syntax and validation errors: `{ errors: [{ message, locations }] }`, no data;
// - bad variables: `{ errors: [{ message: 'Variable $x of type T was provided
//   invalid value for a.b (explanation)', locations, extensions: { value,
//   problems: [{ path, explanation }] } }] }`, no data (calibreapp/cli's
//   createSiteError fixture has this shape);
// - resolver errors: `{ data: { field: null }, errors: [{ message, locations,
//   path, extensions: { problems } }] }`.

const fs = require('node:fs')
const path = require('node:path')
const {
  buildSchema,
  parse,
  validate,
  execute,
  getOperationAST,
  coerceInputValue,
  typeFromAST,
  isNonNullType,
  isScalarType,
  isObjectType,
  print,
  valueFromASTUntyped,
  GraphQLError,
  Kind
} = require('graphql')

const { resolvers, ApiError } = require('./resolvers')
const { METRIC_TAGS } = require('./catalog')

// ---------------------------------------------------------------- scalars

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/** ms -> '2024-01-15T10:30:00Z' (second precision, like graphql-ruby). */
function formatIso (ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Builds serialize/parseValue/parseLiteral from one string parser. */
function stringScalar (parseString, serialize = value => value) {
  return {
    serialize,
    parseValue (value) {
      if (typeof value !== 'string') throw new TypeError(`${JSON.stringify(value)} is not a string`)
      return parseString(value)
    },
    parseLiteral (ast) {
      if (ast.kind !== Kind.STRING) throw new TypeError(`${print(ast)} is not a string`)
      return parseString(ast.value)
    }
  }
}

const scalars = {
  // Resolvers keep times as ms numbers; inputs are parsed to ms as well.
  ISO8601DateTime: stringScalar(
    value => {
      const ms = Date.parse(value)
      if (!ISO_8601.test(value) || Number.isNaN(ms)) throw new TypeError(`"${value}" is not an ISO 8601 date and time`)
      return ms
    },
    value => (typeof value === 'number' ? formatIso(value) : value instanceof Date ? formatIso(value.getTime()) : value)
  ),
  URL: stringScalar(value => {
    let url
    try {
      url = new URL(value)
    } catch {}
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new TypeError(`"${value}" is not a valid http(s) URL`)
    return value
  }),
  MetricTag: stringScalar(value => {
    if (!METRIC_TAGS.has(value)) throw new TypeError(`"${value}" is not a known metric tag`)
    return value
  }),
  JSON: {
    serialize: value => value,
    parseValue: value => value,
    parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables)
  }
}

// ---------------------------------------------------------------- schema

const READ_ONLY_MESSAGE = 'This API token is read-only: tokens with the Viewer role cannot run mutations.'

/** Mutations refuse Viewer tokens before doing anything. */
function guardMutation (resolve) {
  return (root, args, ctx, info) => {
    if (ctx.token.role === 'viewer') {
      throw new ApiError(READ_ONLY_MESSAGE, [{ path: [], explanation: 'Use a token with the Member or Admin role to change data' }])
    }
    return resolve(root, args, ctx, info)
  }
}

let schema = null

/** The executable schema, built once per process. */
function getSchema () {
  if (schema) return schema
  schema = buildSchema(fs.readFileSync(path.join(__dirname, 'schema.graphql'), 'utf8'))
  for (const [name, impl] of Object.entries(scalars)) {
    const type = schema.getType(name)
    if (!isScalarType(type)) throw new Error(`schema.graphql has no scalar ${name}`)
    Object.assign(type, impl)
  }
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName)
    if (!isObjectType(type)) throw new Error(`schema.graphql has no type ${typeName}`)
    const schemaFields = type.getFields()
    for (const [fieldName, resolve] of Object.entries(fields)) {
      // A typo here would silently fall back to the default resolver: fail loudly.
      if (!schemaFields[fieldName]) throw new Error(`schema.graphql has no field ${typeName}.${fieldName}`)
      schemaFields[fieldName].resolve = typeName === 'Mutation' ? guardMutation(resolve) : resolve
    }
  }
  return schema
}

// ---------------------------------------------------------------- variables

/** graphql-js coercion messages -> graphql-ruby style (path, explanation). */
function toProblem (path, error) {
  const message = error.message
  let match
  if (/^Expected non-nullable type ".*" not to be null\.$/.test(message)) {
    return { path, explanation: 'Expected value to not be null' }
  }
  if ((match = /^Field "(.+)" of required type ".*" was not provided\.$/.exec(message))) {
    return { path: [...path, match[1]], explanation: 'Expected value to not be null' }
  }
  if ((match = /^Field "(.+)" is not defined by type "(.+)"\./.exec(message))) {
    return { path: [...path, match[1]], explanation: `Field is not defined on ${match[2]}` }
  }
  return { path, explanation: message.replace(/^Expected type "[^"]+"\. /, '') }
}

/** Checks the request's variables against the operation; [] when they are fine. */
function variableErrors (schema, operation, inputs) {
  const errors = []
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value
    const type = typeFromAST(schema, definition.type)
    const value = inputs[name]
    const problems = []
    if (value === undefined || value === null) {
      if (isNonNullType(type) && !(value === undefined && definition.defaultValue)) {
        problems.push({ path: [], explanation: 'Expected value to not be null' })
      }
    } else {
      coerceInputValue(value, type, (errorPath, _invalid, error) => problems.push(toProblem([...errorPath], error)))
    }
    if (problems.length === 0) continue
    const detail = problems
      .filter(p => p.path.length > 0)
      .map(p => `${p.path.join('.')} (${p.explanation})`)
      .join(', ')
    errors.push(new GraphQLError(
      `Variable $${name} of type ${print(definition.type)} was provided invalid value${detail ? ` for ${detail}` : ''}`,
      { nodes: [definition], extensions: { value: value ?? null, problems } }
    ))
  }
  return errors
}

// ---------------------------------------------------------------- execution

/**
 * Runs one GraphQL request body ({ query, variables, operationName }).
 * Resolves to `{ result, operationName }`; `result` is the JSON to answer with
 * (always HTTP 200, as graphql-ruby does).
 */
async function runGraphQL (body, ctx) {
  const schema = getSchema()
  const fail = (message, operationName = null) => ({ result: { errors: [{ message }] }, operationName })
  if (!body || typeof body !== 'object' || Array.isArray(body)) return fail('The request body must be a JSON object')

  const { query } = body
  const operationName = typeof body.operationName === 'string' && body.operationName ? body.operationName : undefined
  let variables = body.variables ?? {}
  if (typeof variables === 'string') {
    try {
      variables = variables.trim() ? JSON.parse(variables) : {}
    } catch {
      return fail('Variables must be a JSON object', operationName)
    }
  }
  if (typeof query !== 'string' || query.trim() === '') return fail('No query string was present', operationName)
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) return fail('Variables must be a JSON object', operationName)

  let document
  try {
    document = parse(query)
  } catch (error) {
    return { result: { errors: [error] }, operationName }
  }
  const validationErrors = validate(schema, document)
  if (validationErrors.length) return { result: { errors: validationErrors }, operationName }

  const operation = getOperationAST(document, operationName)
  if (!operation) {
    return fail(operationName
      ? `No operation named "${operationName}"`
      : 'An operation name is required when the query contains several operations', operationName)
  }
  const name = operationName ?? operation.name?.value ?? null
  const badVariables = variableErrors(schema, operation, variables)
  if (badVariables.length) return { result: { errors: badVariables }, operationName: name }

  const { data, errors } = await execute({ schema, document, operationName, variableValues: variables, contextValue: ctx })
  return { result: errors ? { data, errors } : { data }, operationName: name }
}

module.exports = { runGraphQL, getSchema, formatIso, READ_ONLY_MESSAGE }
