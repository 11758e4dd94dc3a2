// `npm publish` from the repository would ship no binary and a `prepare` that builds one: the
// release publishes the tarballs `npm run package` writes (see .github/workflows/release.yml).
console.error('Do not publish from the repository: run `npm run package` and publish the tarballs in packages/ (the release workflow does).')
process.exit(1)
