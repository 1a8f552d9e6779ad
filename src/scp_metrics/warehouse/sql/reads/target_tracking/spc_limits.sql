-- The process limits of each SPC series at its latest month with a value.
with latest as (
    select indicator_id, area_code, lpl, upl
    from mart_spc
    where value is not null
    qualify row_number() over (partition by indicator_id, area_code
                               order by period_start desc) = 1
)

select * from latest order by indicator_id, area_code
