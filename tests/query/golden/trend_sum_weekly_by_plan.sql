SELECT
  CAST(DATE_TRUNC('week', "ts") AS DATE) AS date,
  "breakdown",
  COALESCE(SUM(TRY_CAST("prop" AS DOUBLE)), 0) AS value
FROM (
  SELECT
    "e"."person_key" AS person,
    "e"."timestamp" AS ts,
    "e"."event" AS event,
    JSON_EXTRACT_STRING("e"."properties", '$."amount"') AS prop,
    CAST(JSON_EXTRACT_STRING("e"."properties", '$."plan"') AS TEXT) AS breakdown
  FROM events AS e
  WHERE
    "e"."project_id" = $project_id
    AND (
      "e"."timestamp" >= $ts_from AND "e"."timestamp" < $ts_until
    )
    AND "e"."event" = $event
    AND NOT JSON_EXTRACT_STRING("e"."properties", '$."amount"') IS NULL
) AS pe
GROUP BY
  1,
  2
ORDER BY
  1,
  2
