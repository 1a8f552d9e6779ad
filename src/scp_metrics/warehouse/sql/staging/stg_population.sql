-- ONS mid-year estimates, all ages, one row per geography and mid-year.
with source as (
    select * from raw_population
),

renamed as (
    select
        code as area_code,
        name as area_name,
        mid_year::integer as mid_year,
        all_ages as population
    from source
)

select * from renamed
