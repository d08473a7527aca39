-- The map from the server's error codes to a notification level and advice (burrow/errors.lua),
-- checked against the codes the server itself can send (BURROW_TEST_DATA, from
-- server/src/protocol/errors.ts): every code has an entry, and no entry names a code that does not exist.
local h = require('helpers')
local errors = require('burrow.errors')

local data_path = vim.env.BURROW_TEST_DATA
local server_codes = data_path and vim.json.decode(h.read_file(data_path)) or {}

describe('error codes', function()
  it('has the server codes to check against', function()
    assert.is_true(#server_codes > 10, 'BURROW_TEST_DATA holds no codes: run through test/nvim')
  end)

  it('gives every code the server sends a level, and advice unless the outcome was the user’s own', function()
    local valid = { [vim.log.levels.INFO] = true, [vim.log.levels.WARN] = true, [vim.log.levels.ERROR] = true }
    for _, code in ipairs(server_codes) do
      local entry = errors.codes[code]
      assert.is_not_nil(entry, code .. ' has no entry')
      assert.is_true(valid[entry[1]] == true, code)
      if code ~= 'aborted' then
        assert.are.equal('string', type(entry[2]), code)
      end
    end
  end)

  it('names no code the server does not send', function()
    local known = {}
    for _, code in ipairs(server_codes) do
      known[code] = true
    end
    for code in pairs(errors.codes) do
      assert.is_true(known[code] == true, code .. ' is not a server code')
    end
  end)

  it('puts the advice after the message, and treats an unknown code as an error without advice', function()
    local text, level = errors.describe('Ollama is not running at http://127.0.0.1:11434.', 'runtime-unreachable')
    assert.are.equal(vim.log.levels.ERROR, level)
    assert.truthy(text:find('^Ollama is not running at http://127%.0%.0%.1:11434%. Start the model runtime'))
    assert.are.same({ 'The request was cancelled.', vim.log.levels.INFO }, { errors.describe('The request was cancelled.', 'aborted') })
    assert.are.same({ 'Something new.', vim.log.levels.ERROR }, { errors.describe('Something new.', 'no-such-code') })
    assert.are.equal(vim.log.levels.WARN, select(2, errors.describe('A file changed.', 'conflict')))
  end)
end)
