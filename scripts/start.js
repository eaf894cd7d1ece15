// @ts-check
/** `npm start`: build, then run Local CloudBase. Flags after `--` pass through (see README). */
const path = require('node:path')
const { main: build } = require('./build')

build()
  .then(() => require(path.join(__dirname, '../.build/local-cloudbase/main.js')).run(process.argv.slice(2)))
  .catch((/** @type {Error} */ err) => {
    console.error(`Local CloudBase failed to start: ${err.message}`)
    process.exit(1)
  })
