// The Client layer of SwiftBokeh. See CONTRIBUTING.md for what it may import.
