-- ED assault attendances per ISTV quarter file, and those with no assault time.
select
    area_code,
    file_quarter_start,
    count(*) as attendances,
    count(*) filter (where assault_datetime is null) as no_time
from stg_istv
group by all
order by all
