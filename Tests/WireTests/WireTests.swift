// Wire tests.
