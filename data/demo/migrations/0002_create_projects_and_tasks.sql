-- Migration number: 0002 	 2026-01-06T10:00:00.000Z
-- Projects belong to a team; tasks belong to a project and are numbered within it (WEB-42).

CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  key TEXT NOT NULL UNIQUE
    CHECK (length(key) BETWEEN 2 AND 6 AND key GLOB '[A-Z]*' AND key NOT GLOB '*[^A-Z0-9]*'),
  name TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  archived_at TEXT,
  CHECK ((status = 'archived') = (archived_at IS NOT NULL))
);

CREATE INDEX idx_projects_team ON projects (team_id);

-- priority: 1 urgent, 2 high, 3 normal, 4 low.
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  number INTEGER NOT NULL CHECK (number > 0),
  title TEXT NOT NULL CHECK (length(title) > 0),
  description TEXT,
  status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'review', 'done')),
  priority INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),
  reporter_id INTEGER NOT NULL REFERENCES users (id),
  assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
  due_date TEXT CHECK (due_date IS NULL OR date(due_date) = due_date),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  completed_at TEXT,
  UNIQUE (project_id, number),
  CHECK ((status = 'done') = (completed_at IS NOT NULL))
);

CREATE INDEX idx_tasks_reporter ON tasks (reporter_id);
