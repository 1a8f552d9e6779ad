-- Fire incidents in the home area.
with source as (
    select * from raw_fire
),

home as (
    select area_code from ref_home_area
),

renamed as (
    select
        home.area_code,
        source.incident_number,
        source.incident_date,
        date_trunc('month', source.incident_date)::date as month_start,
        source.period_start as file_quarter_start,
        source.incident_type,
        source.motive,
        source.batch_id
    from source
    cross join home
)

select * from renamed
