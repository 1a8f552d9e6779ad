-- Workbook sheet "Hot_spot_LSOAs": every LSOA of the home area with crime in the window, by
-- crime group (all crime first) and rank.
select * from mart_hotspot_lsoas
order by crime_group <> 'all-crime', crime_group, rank
