select count(*) from mart_indicator_values
