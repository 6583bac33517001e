WITH cohorts AS (
  SELECT
    person,
    cohort
  FROM (
    SELECT
      person,
      CAST(DATE_TRUNC('week', MIN("ts")) AS DATE) AS cohort
    FROM (
      SELECT
        "e"."person_key" AS person,
        "e"."timestamp" AS ts,
        "e"."event" AS event
      FROM events AS e
      WHERE
        "e"."project_id" = $project_id AND "e"."event" = $start_event
    ) AS pe
    GROUP BY
      person
  ) AS c
  WHERE
    "cohort" >= $cohort_from AND "cohort" <= $date_to
), members AS (
  SELECT
    "c"."person",
    "c"."cohort",
    NULL AS segment
  FROM cohorts AS c
), returns AS (
  SELECT DISTINCT
    person,
    CAST(DATE_TRUNC('week', "ts") AS DATE) AS period
  FROM (
    SELECT
      "e"."person_key" AS person,
      "e"."timestamp" AS ts,
      "e"."event" AS event
    FROM events AS e
    WHERE
      "e"."project_id" = $project_id
      AND (
        "e"."timestamp" >= $returns_from AND "e"."timestamp" < $ts_until
      )
      AND "e"."event" = $return_event
  ) AS pe
)
SELECT
  *
FROM (
  SELECT
    "cohort",
    NULL AS segment,
    0 AS k,
    COUNT(*) AS value
  FROM members
  GROUP BY
    "cohort"
  UNION ALL
  SELECT
    "cohort",
    NULL AS segment,
    "k",
    COUNT(*) AS value
  FROM (
    SELECT
      "m"."cohort",
      "m"."segment",
      DATE_DIFF('day', "m"."cohort", "r"."period") // 7 AS k
    FROM members AS m
    JOIN returns AS r
      ON "r"."person" = "m"."person"
      AND "r"."period" > "m"."cohort"
      AND "r"."period" <= (
        CAST("m"."cohort" AS DATE) + 84
      )
  ) AS hits
  GROUP BY
    "cohort",
    "k"
) AS retention
ORDER BY
  cohort NULLS FIRST,
  segment NULLS FIRST,
  k NULLS FIRST
