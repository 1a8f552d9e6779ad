-- The published Place Survey headline table for every council, in file order.
select * from raw_place_survey_headline order by source_row
