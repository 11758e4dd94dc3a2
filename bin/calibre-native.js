#!/usr/bin/env node
// The `calibre-native` command: the CLI is written in Rust (src/cli); this only passes it
// the arguments and sets the exit code.
'use strict'

require('../index.js')
  .runCli(process.argv.slice(2))
  .then((code) => { process.exitCode = code })
