"""The back office's task pages for store staff, store managers and head office (queues, a task, assigning)."""
