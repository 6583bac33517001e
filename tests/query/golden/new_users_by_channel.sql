SELECT
  CAST("first_ts" AS DATE) AS date,
  "breakdown",
  COUNT(*) AS value
FROM (
  SELECT
    person,
    MIN("ts") AS first_ts,
    ARG_MIN_NULL("bd", "ts") AS breakdown
  FROM (
    SELECT
      "e"."person_key" AS person,
      "e"."timestamp" AS ts,
      "e"."event" AS event,
      CAST("e"."channel" AS TEXT) AS bd
    FROM events AS e
    WHERE
      "e"."project_id" = $project_id
  ) AS pe
  GROUP BY
    person
) AS first_seen
WHERE
  "first_ts" >= $ts_from AND "first_ts" < $ts_until
GROUP BY
  1,
  2
ORDER BY
  1,
  2
