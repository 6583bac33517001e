WITH active_days AS (
  SELECT DISTINCT
    person,
    CAST("ts" AS DATE) AS day
  FROM (
    SELECT
      "e"."person_key" AS person,
      "e"."timestamp" AS ts,
      "e"."event" AS event
    FROM events AS e
    WHERE
      "e"."project_id" = $project_id
      AND (
        "e"."timestamp" >= $scan_from AND "e"."timestamp" < $ts_until
      )
  ) AS pe
), spans AS (
  SELECT
    day,
    LAG("day") OVER (PARTITION BY "person" ORDER BY "day") AS prev
  FROM active_days
), by_day AS (
  SELECT
    day,
    SUM("delta") AS delta
  FROM (
    SELECT
      CASE
        WHEN "prev" IS NULL OR (
          CAST("prev" AS DATE) + 7
        ) <= "day"
        THEN "day"
        ELSE CAST("prev" AS DATE) + 7
      END AS day,
      1 AS delta
    FROM spans
    UNION ALL
    SELECT
      CAST("day" AS DATE) + 7 AS day,
      -1 AS delta
    FROM spans
  ) AS d
  GROUP BY
    day
)
SELECT
  "spine"."day" AS date,
  COALESCE(SUM("by_day"."delta"), 0) AS value
FROM (
  SELECT
    CAST(range AS DATE) AS day
  FROM RANGE(
    CAST($date_from AS DATE),
    CAST($date_to AS DATE) + INTERVAL '1' DAY,
    INTERVAL '1' DAY
  )
) AS spine
LEFT JOIN by_day
  ON "by_day"."day" <= "spine"."day"
GROUP BY
  "spine"."day"
ORDER BY
  "spine"."day"
