WITH funnel_events AS MATERIALIZED (
  SELECT
    "e"."person_key" AS person,
    "e"."timestamp" AS ts,
    "e"."event" AS event
  FROM events AS e
  WHERE
    "e"."project_id" = $project_id
    AND "e"."event" IN ($step_1, $step_2, $step_3)
    AND (
      "e"."timestamp" >= $ts_from
      AND "e"."timestamp" < (
        $ts_until + TO_SECONDS($window_seconds)
      )
    )
), funnel_reach AS (
  SELECT
    person,
    MAX(CASE WHEN "event" = $step_2 THEN "ts" END) AS last_2,
    MIN(
      CASE
        WHEN "event" = $step_1 AND (
          "ts" >= $ts_from AND "ts" < $ts_until
        )
        THEN "ts"
      END
    ) AS first_1
  FROM funnel_events
  GROUP BY
    person
), funnel_step_1 AS (
  SELECT
    "f"."person",
    "f"."ts" AS t1,
    NULL AS bd
  FROM funnel_events AS f
  JOIN funnel_reach
    ON "funnel_reach"."person" = "f"."person"
  WHERE
    "f"."event" = $step_1
    AND (
      "f"."ts" >= $ts_from AND "f"."ts" < $ts_until
    )
    AND (
      "f"."ts" <= "funnel_reach"."last_2" OR "f"."ts" = "funnel_reach"."first_1"
    )
), funnel_step_2 AS (
  SELECT
    *,
    CASE
      WHEN "s"."ts" <= (
        "prev"."t1" + TO_SECONDS($window_seconds)
      )
      THEN "s"."ts"
    END AS t2
  FROM funnel_step_1 AS prev
  ASOF LEFT JOIN (
    SELECT
      person,
      ts
    FROM funnel_events
    WHERE
      "event" = $step_2
  ) AS s
    ON "s"."person" = "prev"."person" AND "s"."ts" >= "prev"."t1"
), funnel_step_3 AS (
  SELECT
    *,
    CASE
      WHEN "s"."ts" <= (
        "prev"."t1" + TO_SECONDS($window_seconds)
      )
      THEN "s"."ts"
    END AS t3
  FROM funnel_step_2 AS prev
  ASOF LEFT JOIN (
    SELECT
      person,
      ts
    FROM funnel_events
    WHERE
      "event" = $step_3
  ) AS s
    ON "s"."person" = "prev"."person" AND "s"."ts" >= "prev"."t2"
), funnel_best AS (
  SELECT
    *
  FROM (
    SELECT
      person,
      "bd" AS breakdown,
      "t1",
      "t2",
      "t3",
      CASE WHEN NOT "t3" IS NULL THEN 3 WHEN NOT "t2" IS NULL THEN 2 ELSE 1 END AS reached,
      ROW_NUMBER() OVER (PARTITION BY "person" ORDER BY "reached" DESC, "t1", "bd") AS attempt_rank
    FROM funnel_step_3
  ) AS ranked
  WHERE
    "attempt_rank" = 1
)
SELECT
  "breakdown",
  SUM(CASE WHEN "reached" >= 1 THEN 1 ELSE 0 END) AS count_1,
  SUM(CASE WHEN "reached" >= 2 THEN 1 ELSE 0 END) AS count_2,
  SUM(CASE WHEN "reached" >= 3 THEN 1 ELSE 0 END) AS count_3,
  MEDIAN(DATE_DIFF('microsecond', "t1", "t2") / 1000000.0) AS median_2,
  MEDIAN(DATE_DIFF('microsecond', "t2", "t3") / 1000000.0) AS median_3
FROM funnel_best
GROUP BY
  "breakdown"
ORDER BY
  "count_1" DESC,
  "breakdown"
