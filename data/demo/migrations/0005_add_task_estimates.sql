-- Migration number: 0005 	 2026-11-24T10:00:00.000Z
-- Time estimates for planning; unknown until someone estimates the task.

ALTER TABLE tasks ADD COLUMN estimate_hours REAL
  CHECK (estimate_hours IS NULL OR estimate_hours > 0);
