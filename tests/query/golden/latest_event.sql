SELECT
  MAX("timestamp") AS latest
FROM events
WHERE
  "project_id" = $project_id
