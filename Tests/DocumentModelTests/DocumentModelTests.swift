// Tests for DocumentModel.
