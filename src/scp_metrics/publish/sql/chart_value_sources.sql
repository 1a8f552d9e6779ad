-- Where an indicator's values for some areas and period types were counted from
-- (mart_indicator_values.source: record_level, ho_csp_table, ...).
with indicator_values as (
    select indicator_id, area_code, period_type, source from mart_indicator_values
),

chosen as (
    select distinct source from indicator_values
    where indicator_id = $indicator_id
      and list_contains($area_codes, area_code)
      and list_contains($period_types, period_type)
)

select source from chosen
order by source
