-- The months each home-area event source covers: the months of every quarter loaded, up to the
-- last month a live row of that quarter falls in (sources/source.py: month_column). A month
-- with no events before that one is a true zero, not missing data; the months after it are not
-- delivered yet (a partial quarter, e.g. January only of Q4, covers January alone).
with dated as (
    select 'istv' as source_name, area_code, file_quarter_start as quarter_start,
           date_trunc('month', arrival_datetime)::date as month_start
    from stg_istv
    union all
    select 'fire', area_code, file_quarter_start, month_start from stg_fire
    union all
    select 'marac', area_code, file_quarter_start, month_start from stg_marac
    union all
    select 'police_crime', area_code, file_quarter_start, month_start from stg_police_crime
),

reached as (
    select source_name, area_code, quarter_start,
           coalesce(max(month_start), quarter_start) as last_month
    from dated
    group by source_name, area_code, quarter_start
)

select
    reached.source_name,
    reached.area_code,
    (reached.quarter_start + to_months(o.k))::date as unit_start,
    last_day(reached.quarter_start + to_months(o.k)) as unit_end
from reached
cross join (select unnest([0, 1, 2]) as k) as o
where reached.quarter_start + to_months(o.k) <= reached.last_month
