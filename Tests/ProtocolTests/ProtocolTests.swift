// Tests for Protocol.
