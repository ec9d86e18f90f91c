// Tests for Routing.
