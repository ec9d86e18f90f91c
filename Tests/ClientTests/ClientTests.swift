// Tests for Client.
