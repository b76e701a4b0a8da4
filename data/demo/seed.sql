-- Demo data for the project tracker made by migrations 0001-0004: 60 users, 8 teams,
-- 25 projects, 3000 tasks, 4000 comments, 12 tags and 5000 task tags. Every value is
-- computed from row numbers (a multiplicative hash stands in for randomness), so the same
-- seed always gives the same database. Timestamps are ISO 8601 UTC within 2025-2026.

INSERT INTO teams (id, slug, name, created_at) VALUES
  (1, 'platform', 'Platform', '2025-01-06T09:00:00Z'),
  (2, 'web', 'Web', '2025-01-06T09:05:00Z'),
  (3, 'mobile', 'Mobile', '2025-01-08T14:30:00Z'),
  (4, 'data', 'Data & Analytics', '2025-01-13T10:00:00Z'),
  (5, 'design', 'Design', '2025-01-20T11:15:00Z'),
  (6, 'growth', 'Growth', '2025-02-03T08:45:00Z'),
  (7, 'support', 'Customer Support', '2025-02-17T13:00:00Z'),
  (8, 'infra', 'Infrastructure', '2025-03-03T09:30:00Z');

WITH RECURSIVE
  seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 60),
  first_names(i, display, ascii) AS (
    SELECT key, json_extract(value, '$[0]'), json_extract(value, '$[1]')
      FROM json_each('[["Ada","ada"],["José","jose"],["Zoë","zoe"],["Ngozi","ngozi"],
                       ["Søren","soren"],["Chloé","chloe"],["Łukasz","lukasz"],["Priya","priya"],
                       ["Mateo","mateo"],["Hana","hana"],["Liam","liam"],["Fatima","fatima"],
                       ["Kenji","kenji"],["Olivia","olivia"],["Dmitri","dmitri"],["Amara","amara"],
                       ["Noah","noah"],["Ingrid","ingrid"],["Tariq","tariq"],["Mei","mei"]]')),
  last_names(i, display, ascii) AS (
    SELECT key, json_extract(value, '$[0]'), json_extract(value, '$[1]')
      FROM json_each('[["Lovelace","lovelace"],["García","garcia"],["O''Brien","obrien"],
                       ["Okafor","okafor"],["Kierkegaard","kierkegaard"],["Dubois","dubois"],
                       ["Nowak","nowak"],["Raman","raman"],["Rossi","rossi"],["Sato","sato"],
                       ["Murphy","murphy"],["Haddad","haddad"],["Watanabe","watanabe"],
                       ["Smith","smith"],["Ivanov","ivanov"],["Mensah","mensah"],
                       ["Müller","muller"],["Johansson","johansson"],["Khan","khan"],
                       ["Chen","chen"]]')),
  timezones(i, name) AS (
    SELECT key, value
      FROM json_each('["UTC","Europe/Berlin","America/New_York","Asia/Tokyo","Europe/London",
                       "America/Sao_Paulo","Africa/Lagos","Asia/Kolkata"]')),
  people AS (
    SELECT n,
           ((n * 2654435761) & 4294967295) >> 16 AS h1,
           ((n * 2246822519 + 374761393) & 4294967295) >> 16 AS h2,
           CASE WHEN n <= 2 THEN 'admin' WHEN n % 17 = 0 THEN 'guest' ELSE 'member' END AS role,
           f.display || ' ' || l.display AS display_name,
           f.ascii || '.' || l.ascii AS local_part
      FROM seq
      JOIN first_names AS f ON f.i = n % 20
      JOIN last_names AS l ON l.i = (n * 7 + n / 20) % 20)
INSERT INTO users (id, email, display_name, role, timezone, is_active, created_at, last_seen_at)
SELECT n,
       local_part || CASE role WHEN 'guest' THEN '@contractor.example.net' ELSE '@example.com' END,
       display_name,
       role,
       (SELECT name FROM timezones WHERE i = h1 % 8),
       n % 23 <> 0,
       strftime('%Y-%m-%dT%H:%M:%SZ', '2025-01-06 08:00:00',
                '+' || (n * 3) || ' days', '+' || (h2 % 540) || ' minutes'),
       CASE WHEN n % 11 = 0 THEN NULL
            ELSE strftime('%Y-%m-%dT%H:%M:%SZ', '2026-11-23 18:00:00',
                          '-' || ((h1 / 8) % 2000) || ' hours')
       END
  FROM people;

-- Everyone belongs to one team; every third odd-numbered user to a second one too.
WITH RECURSIVE
  seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 60),
  memberships(team_id, user_id, role) AS (
    SELECT n % 8 + 1, n,
           CASE WHEN n <= 8 THEN 'owner' WHEN n % 5 = 0 THEN 'maintainer' ELSE 'member' END
      FROM seq
    UNION ALL
    SELECT (n * 5) % 8 + 1, n, 'member'
      FROM seq
     WHERE n % 3 = 0 AND n % 2 = 1)
INSERT INTO team_members (team_id, user_id, role, joined_at)
SELECT m.team_id, m.user_id, m.role,
       max(u.created_at, t.created_at)
  FROM memberships AS m
  JOIN users AS u ON u.id = m.user_id
  JOIN teams AS t ON t.id = m.team_id;

WITH
  catalog(i, key, name, description) AS (
    SELECT key + 1, json_extract(value, '$[0]'), json_extract(value, '$[1]'),
           json_extract(value, '$[2]')
      FROM json_each('[
        ["API", "Public API", "REST and webhook endpoints used by customers and integrations."],
        ["WEB", "Web app", "The single-page app at app.example.com."],
        ["IOS", "iOS app", "Native app for iPhone and iPad."],
        ["DWH", "Warehouse", "Nightly exports into the analytics warehouse."],
        ["DS", "Design system", "Components, tokens and the icon set — one source of truth."],
        ["ONB", "Onboarding", "First run, invites and the \"getting started\" checklist."],
        ["HELP", "Help centre", null],
        ["K8S", "Cluster", "Kubernetes clusters, ingress and certificates."],
        ["AUTH", "Sign-in", "Passwords, SSO (SAML/OIDC) and two-factor authentication."],
        ["DASH", "Dashboards", "Charts and reports on the home screen."],
        ["AND", "Android app", "Native app for Android phones and tablets."],
        ["ETL", "Pipelines", null],
        ["BRAND", "Brand refresh", "New logo, colours and typography for 2026."],
        ["BILL", "Billing", "Plans, invoices, taxes and the Stripe integration."],
        ["SLA", "Support SLAs", "Response-time targets and the on-call rota."],
        ["OBS", "Observability", "Metrics, logs, traces and alerting."],
        ["SRCH", "Search", "Full-text search over tasks, comments and files."],
        ["NOTIF", "Notifications", "E-mail, push and in-app notifications."],
        ["OFFL", "Offline mode", "Let the mobile apps work without a connection."],
        ["ML", "Smart triage", "Suggest assignees and labels for new tasks."],
        ["A11Y", "Accessibility", "WCAG 2.2 AA across web and mobile."],
        ["EXP", "Experiments", "A/B tests and feature flags."],
        ["KB", "Knowledge base", "Articles for the help centre, in five languages."],
        ["DR", "Disaster recovery", "Backups, restores and the yearly failover drill."],
        ["LEGACY", "Legacy v1", "The old app; kept alive for two enterprise customers."]
      ]'))
INSERT INTO projects (id, team_id, key, name, description, status, created_at, archived_at)
SELECT i,
       (i - 1) % 8 + 1,
       key,
       name,
       description,
       CASE WHEN i = 25 OR i % 9 = 0 THEN 'archived' WHEN i % 7 = 0 THEN 'paused' ELSE 'active' END,
       strftime('%Y-%m-%dT%H:%M:%SZ', '2025-03-10 09:00:00', '+' || (i * 6) || ' days'),
       CASE WHEN i = 25 OR i % 9 = 0
            THEN strftime('%Y-%m-%dT%H:%M:%SZ', '2026-06-01 16:00:00', '+' || (i * 3) || ' days')
       END
  FROM catalog;

-- Tasks arrive steadily from August 2025 to November 2026; older ones are mostly done.
-- Each task goes to a project (smaller ids are busier; archived projects take no new work)
-- and is reported by and assigned to members of that project's team.
WITH RECURSIVE
  seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 3000),
  verbs(i, word) AS (
    SELECT key, value
      FROM json_each('["Fix","Add","Refactor","Document","Investigate","Remove","Migrate",
                       "Speed up","Test","Review","Redesign","Update"]')),
  objects(i, phrase) AS (
    SELECT key, value
      FROM json_each('["login redirect","CSV export","billing webhook","search index",
                       "dark mode","onboarding e-mail","rate limiter","audit log",
                       "avatar upload","invite flow","dashboard charts",
                       "“Remember me” checkbox","the user''s timezone handling",
                       "Ünïcödé file names","emoji in task titles 🚀","push notifications",
                       "SSO (SAML) login","API pagination","data retention job",
                       "Stripe invoices"]')),
  contexts(i, phrase) AS (
    SELECT key, value
      FROM json_each('[""," on Safari"," for teams > 50 users"," in the mobile app","",
                       " after the migration"," (follow-up)",""," – phase 2",
                       " for EU customers"]')),
  base AS (
    SELECT n,
           ((n * 2654435761) & 4294967295) >> 16 AS h1,
           ((n * 2246822519 + 374761393) & 4294967295) >> 16 AS h2,
           ((n * 3266489917 + 668265263) & 4294967295) >> 16 AS h3,
           ((n * 668265263 + 2654435761) & 4294967295) >> 16 AS h4,
           ((n * 374761393 + 3266489917) & 4294967295) >> 16 AS h5,
           ((n * 2246822519 + 2654435761) & 4294967295) >> 16 AS h6,
           strftime('%Y-%m-%dT%H:%M:%SZ', '2025-08-11 08:00:00',
                    '+' || (n * 467 / 3000) || ' days',
                    '+' || ((((n * 2654435761) & 4294967295) >> 16) % 600) || ' minutes')
             AS created
      FROM seq),
  ranked_projects AS (
    SELECT id, key, team_id, archived_at,
           row_number() OVER (ORDER BY id) - 1 AS r_all,
           CASE WHEN archived_at IS NULL
                THEN row_number() OVER (PARTITION BY archived_at IS NULL ORDER BY id) - 1
           END AS r_live
      FROM projects),
  roster AS (
    SELECT team_id, user_id,
           row_number() OVER (PARTITION BY team_id ORDER BY user_id) - 1 AS r,
           count(*) OVER (PARTITION BY team_id) AS size
      FROM team_members),
  placed AS (
    SELECT b.*, p.id AS project_id, p.team_id, p.archived_at,
           CASE
             WHEN p.archived_at IS NOT NULL THEN 'done'
             WHEN b.n <= 2400 THEN
               CASE WHEN b.h2 % 100 < 80 THEN 'done' WHEN b.h2 % 100 < 85 THEN 'review'
                    WHEN b.h2 % 100 < 90 THEN 'doing' ELSE 'todo' END
             ELSE
               CASE WHEN b.h2 % 100 < 30 THEN 'done' WHEN b.h2 % 100 < 45 THEN 'review'
                    WHEN b.h2 % 100 < 65 THEN 'doing' ELSE 'todo' END
           END AS status
      FROM base AS b
      JOIN ranked_projects AS p
        ON (b.n <= 2000 AND p.r_all = min(b.h1 % 25, (b.h1 / 25) % 25))
        OR (b.n > 2000 AND p.r_live = min(b.h1 % 22, (b.h1 / 25) % 22))),
  dated AS (
    SELECT *,
           CASE WHEN status = 'done'
                THEN min(strftime('%Y-%m-%dT%H:%M:%SZ', created,
                                  '+' || (1 + h3 % 30) || ' days',
                                  '+' || ((h3 / 30) % 480) || ' minutes'),
                         coalesce(archived_at, '2026-11-24T17:00:00Z'))
           END AS completed
      FROM placed)
INSERT INTO tasks (id, project_id, number, title, description, status, priority,
                   reporter_id, assignee_id, due_date, created_at, updated_at, completed_at)
SELECT d.n,
       d.project_id,
       row_number() OVER (PARTITION BY d.project_id ORDER BY d.n),
       (SELECT word FROM verbs WHERE i = (d.h5 / 60) % 12) || ' '
         || (SELECT phrase FROM objects WHERE i = d.h6 % 20)
         || (SELECT phrase FROM contexts WHERE i = (d.h6 / 20) % 10),
       CASE (d.h6 / 200) % 8
         WHEN 2 THEN 'Steps to reproduce:' || char(10) || '1. Sign in as a team owner.' || char(10)
                     || '2. Open the ' || (SELECT phrase FROM objects WHERE i = d.h6 % 20) || '.'
                     || char(10) || '3. Watch the console.' || char(10) || char(10)
                     || 'Expected: no errors. Actual: "TypeError: undefined is not a function".'
         WHEN 3 THEN 'Customer ticket #' || (10000 + d.n) || ': they say it "just stopped working"'
                     || ' after the last release.'
         WHEN 4 THEN 'Follow-up from the retro on ' || date(d.created) || '.'
         WHEN 5 THEN 'Acceptance criteria:' || char(10) || '- works on mobile' || char(10)
                     || '- doesn''t break the public API' || char(10)
                     || '- mentioned in the changelog'
         WHEN 6 THEN 'Design notes: https://docs.example.com/tasks/' || d.n
         WHEN 7 THEN 'Ça doit aussi marcher pour les noms accentués : '
                     || '« Zoë », « Łukasz », « Søren ».'
       END,
       d.status,
       CASE WHEN d.h4 % 10 = 0 THEN 1 WHEN d.h4 % 10 < 3 THEN 2
            WHEN d.h4 % 10 < 8 THEN 3 ELSE 4 END,
       (SELECT user_id FROM roster AS r WHERE r.team_id = d.team_id AND r.r = (d.h4 / 10) % r.size),
       CASE WHEN (d.status = 'todo' AND (d.h3 / 600) % 3 = 0) OR (d.h3 / 600) % 25 = 0 THEN NULL
            ELSE (SELECT user_id FROM roster AS r
                   WHERE r.team_id = d.team_id AND r.r = (d.h5 / 7) % r.size)
       END,
       CASE WHEN d.h5 % 3 = 0 THEN NULL
            ELSE date(d.created, '+' || (3 + (d.h2 / 100) % 60) || ' days')
       END,
       d.created,
       coalesce(d.completed,
                min(strftime('%Y-%m-%dT%H:%M:%SZ', d.created,
                             '+' || (d.h3 % 20) || ' days', '+' || (d.h4 % 300) || ' minutes'),
                    '2026-11-24T17:00:00Z')),
       d.completed
  FROM dated AS d
 ORDER BY d.n;

-- Comments cluster on some tasks and follow them within two weeks; a few authors have
-- deleted their accounts (NULL author).
WITH RECURSIVE
  seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < 4000),
  base AS (
    SELECT k,
           ((k * 2654435761 + 97) & 4294967295) >> 16 AS g1,
           ((k * 2246822519 + 374761393) & 4294967295) >> 16 AS g2,
           ((k * 3266489917 + 668265263) & 4294967295) >> 16 AS g3,
           ((k * 668265263 + 2246822519) & 4294967295) >> 16 AS g4,
           ((k * 374761393 + 2654435761) & 4294967295) >> 16 AS g5
      FROM seq),
  placed AS (
    SELECT b.*, t.id AS task_id, t.reporter_id, t.assignee_id,
           min(strftime('%Y-%m-%dT%H:%M:%SZ', t.created_at, '+' || (b.g3 % 20000) || ' minutes'),
               '2026-11-24T17:00:00Z') AS created
      FROM base AS b
      JOIN tasks AS t ON t.id = 1 + (b.g1 * 65536 + b.g2) % 3000)
INSERT INTO comments (id, task_id, author_id, body, created_at, edited_at)
SELECT k,
       task_id,
       CASE WHEN g4 % 50 = 0 THEN NULL
            WHEN g4 % 3 = 0 THEN coalesce(assignee_id, reporter_id)
            WHEN g4 % 3 = 1 THEN reporter_id
            ELSE 1 + (g4 / 3) % 60
       END,
       CASE g5 % 14
         WHEN 0 THEN 'Looks good to me 👍'
         WHEN 1 THEN 'Can we split this into smaller PRs? The diff is hard to review.'
         WHEN 2 THEN 'I can''t reproduce this on "staging" — could you attach the logs?'
         WHEN 3 THEN 'Blocked by the API rate limits; waiting for the platform team.'
         WHEN 4 THEN 'Fixed in ' || printf('%07x', (g1 * 65536 + g2) % 268435456) || '.'
         WHEN 5 THEN 'Moved to review.'
         WHEN 6 THEN 'Ça marche chez moi. Peut-être un problème de cache ?'
         WHEN 7 THEN '日本語のテキストも正しく表示されるか確認してください。'
         WHEN 8 THEN 'What''s the expected behaviour when the list is empty?'
         WHEN 9 THEN '+1, a customer asked about this again today.'
         WHEN 10 THEN 'Estimate: ~' || (1 + g2 % 13) || 'h. '
                      || 'I''ll pick it up after the release.'
         WHEN 11 THEN 'Reverted: it broke the nightly export.' || char(10)
                      || 'See the thread in #incidents.'
         WHEN 12 THEN 'Screenshot attached: the button is 2px off on Android 14 (Pixel 7).'
         ELSE 'LGTM — merging once CI is green ✅'
       END,
       created,
       CASE WHEN (g4 / 50) % 10 = 0
            THEN max(created, min(strftime('%Y-%m-%dT%H:%M:%SZ', created,
                                           '+' || (5 + (g5 / 14) % 300) || ' minutes'),
                                  '2026-11-24T17:00:00Z'))
       END
  FROM placed
 ORDER BY k;

INSERT INTO tags (id, name, color) VALUES
  (1, 'bug', '#e01b24'),
  (2, 'feature', '#3584e4'),
  (3, 'chore', '#77767b'),
  (4, 'docs', '#9141ac'),
  (5, 'security', '#c01c28'),
  (6, 'performance', '#ff7800'),
  (7, 'ux', '#f5c211'),
  (8, 'backend', '#26a269'),
  (9, 'frontend', '#2ec27e'),
  (10, 'mobile', '#1a5fb4'),
  (11, 'good first issue', '#33d17a'),
  (12, 'needs triage', '#865e3c');

-- Up to three distinct tags per task: a start tag and a step coprime to 12 give distinct
-- candidates; the 5000 with the smallest hash are kept.
WITH
  slots(j) AS (VALUES (0), (1), (2)),
  candidates AS (
    SELECT t.id AS task_id,
           1 + ((((t.id * 2654435761) & 4294967295) >> 16) % 12
                + s.j * json_extract('[1,5,7,11]',
                                     '$[' || ((((t.id * 2246822519) & 4294967295) >> 16) % 4)
                                     || ']')) % 12 AS tag_id,
           ((t.id * 3 + s.j) * 2654435761) & 4294967295 AS rank
      FROM tasks AS t
     CROSS JOIN slots AS s)
INSERT INTO task_tags (task_id, tag_id)
SELECT task_id, tag_id
  FROM candidates
 ORDER BY rank
 LIMIT 5000;
