-- MARAC cases heard in the home area.
with source as (
    select * from raw_marac
),

home as (
    select area_code from ref_home_area
),

renamed as (
    select
        home.area_code,
        source.case_heard_date,
        date_trunc('month', source.case_heard_date)::date as month_start,
        source.period_start as file_quarter_start,
        source.victim_reference,
        source.repeat_flag,
        source.batch_id
    from source
    cross join home
)

select * from renamed
