// The JS class behind every rejection. Native code cannot extend Error, so this one
// class is evaluated once per Node environment (see js::error_class).
(class CalibreError extends Error {
  constructor(message, fields) {
    super(message)
    Object.assign(this, fields)
    // Array-like access to the GraphQL errors keeps calibre@7-style catch blocks working:
    // `e[0].extensions.problems[0].explanation`, `e.length`. Not enumerable: inspect stays short.
    const errors = Array.isArray(this.errors) ? this.errors : []
    for (let i = 0; i < errors.length; i++) {
      Object.defineProperty(this, i, { value: errors[i], writable: true, configurable: true })
    }
    Object.defineProperty(this, 'length', { value: errors.length, writable: true, configurable: true })
  }

  get name() {
    return 'CalibreError'
  }
})
