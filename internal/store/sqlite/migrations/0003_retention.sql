-- Retention deletes sessions by age and profiles by inactivity, a page at a time.
CREATE INDEX sessions_inserted ON sessions (inserted_us);
CREATE INDEX profiles_updated ON profiles (updated_us);
