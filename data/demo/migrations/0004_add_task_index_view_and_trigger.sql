-- Migration number: 0004 	 2026-01-08T10:00:00.000Z
-- "My open tasks": a partial index for the assignee's list, a view that names things,
-- and a trigger that keeps tasks.updated_at honest when a client forgets to set it.

CREATE INDEX idx_tasks_assignee_open ON tasks (assignee_id, due_date)
  WHERE status <> 'done';

CREATE VIEW open_tasks AS
SELECT t.id,
       p.key || '-' || t.number AS ref,
       t.title,
       t.status,
       t.priority,
       u.display_name AS assignee,
       t.due_date,
       t.updated_at
  FROM tasks AS t
  JOIN projects AS p ON p.id = t.project_id
  LEFT JOIN users AS u ON u.id = t.assignee_id
 WHERE t.status <> 'done';

CREATE TRIGGER tasks_touch_updated_at
AFTER UPDATE ON tasks
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE tasks
     SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
   WHERE id = NEW.id;
END;
