-- The indicators with any value for the area, in the catalogue's order (ref_indicators is
-- written in the order of config/indicators.toml), then any others by id.
with catalogue as (
    select indicator_id, rowid as position from ref_indicators
),

present as (
    select distinct indicator_id from mart_indicator_values
    where area_code = $area_code
)

select present.indicator_id from present
left join catalogue on catalogue.indicator_id = present.indicator_id
order by catalogue.position nulls last, present.indicator_id
