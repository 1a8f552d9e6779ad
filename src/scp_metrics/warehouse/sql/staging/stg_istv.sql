-- ED assault attendances with the night each assault belongs to (after-midnight assaults
-- belong to the night that began the evening before).
with source as (
    select * from raw_istv
),

home as (
    select area_code from ref_home_area
),

renamed as (
    select
        home.area_code,
        source.site_code,
        source.period_start as file_quarter_start,
        source.arrival_datetime,
        source.assault_datetime,
        hour(source.assault_datetime) as assault_hour,
        source.assault_location_type,
        source.batch_id
    from source
    cross join home
)

select * from renamed
