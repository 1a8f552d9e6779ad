-- ONS police force area tables (P1 counts, P3 rates and the populations used), long format.
with source as (
    select * from raw_ons_pfa
)

select
    table_id,
    area_code,
    area_name,
    measure,
    lower(measure) as measure_key,
    value,
    period_start,
    year_ending,
    batch_id
from source
