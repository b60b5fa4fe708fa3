-- Replaces an account and appends UserUpdated. A new password raises the token version, so every
-- earlier token stops being valid; a new name keeps it.
-- KEYS: 1 user:{email}, 2 users (unused), 3 events:users, 4 login_failures:{email} (unused),
--       5 token_version:{email}
-- ARGV: 1 email, 2 the account's JSON without its closing brace (token_version is added here), 3 nfields, 4.. event fields,
--       then "1" to raise the token version, else "0"
-- Returns the account's token version (0 for an account older than token versions), or -1 when
-- the account does not exist (nothing written).
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = tonumber(ARGV[3])
local v
if ARGV[4 + n] == '1' then
  v = redis.call('INCR', KEYS[5])
else
  v = tonumber(redis.call('GET', KEYS[5]) or '0')
end
redis.call('SET', KEYS[1], ARGV[2] .. ',"token_version":' .. v .. '}')
local fields = {unpack(ARGV, 4, 3 + n)}
fields[#fields + 1], fields[#fields + 2] = 'token_version', v
redis.call('XADD', KEYS[3], '*', unpack(fields))
return v
