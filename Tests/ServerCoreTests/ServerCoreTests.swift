// Tests for ServerCore.
