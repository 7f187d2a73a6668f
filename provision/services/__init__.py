"""One module per AWS service; each kind finds, creates, updates, deletes and lists what a stack owns."""
