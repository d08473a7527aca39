-- :checkhealth burrow on every version: it must finish without a Lua error and report the server
-- command, the runtimes burrow.doctor knows (through the fake Ollama) and the log paths, both before
-- a client runs (it then runs `burrow doctor --json`) and with a running client (it asks burrow.doctor).
local h = require('helpers')

local function report()
  vim.cmd('checkhealth burrow')
  return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
end

-- 0.7 writes "OK: x", 0.10 and later "✅ OK x".
local function says(text, level, pattern)
  for line in text:gmatch('[^\n]+') do
    if line:find(level, 1, true) and line:match(pattern) then
      return true
    end
  end
  return false
end

describe(':checkhealth burrow', function()
  local host = vim.env.OLLAMA_HOST
  after_each(function()
    vim.env.OLLAMA_HOST = host
    h.reset()
  end)

  local function common(text)
    assert.is_nil(text:match('Failed to run healthcheck'), text)
    assert.is_nil(text:match('stack traceback'), text)
    assert.is_nil(text:match('E5108'), text)
    assert.truthy(text:find('Server command:', 1, true), text)
    assert.truthy(text:find('Diagnosis from', 1, true), text)
    assert.truthy(text:find('LSP log', 1, true), text)
    assert.truthy(text:find('Model runtimes Burrow knows', 1, true), text)
  end

  it('without a running client (burrow doctor --json)', function()
    h.workspace({ ['notes.txt'] = 'some notes\n' })
    h.setup({ autostart = false })
    local text = report()
    common(text)
    assert.is_true(says(text, 'OK', 'Ollama answers at http://127%.0%.0%.1'), text)
    assert.is_true(says(text, 'OK', 'The coder model qwen2%.5%-coder:1%.5b is installed%.'), text)
    assert.is_true(says(text, 'OK', 'Ollama at http://127%.0%.0%.1:%d+: available.*qwen2%.5%-coder:1%.5b'), text)
  end)

  it('with a running client (burrow.doctor)', function()
    local ws = h.workspace({ ['notes.txt'] = 'some notes\n' })
    h.setup()
    h.edit(ws.path('notes.txt'))
    h.wait_for('the client to initialize', function()
      local c = require('burrow.client').running()
      return c and c.initialized
    end)
    local text = report()
    common(text)
    assert.truthy(text:find('the running server (burrow.doctor)', 1, true), text)
    assert.is_true(says(text, 'OK', 'The coder model qwen2%.5%-coder:1%.5b is installed%.'), text)
  end)

  it('when Ollama does not answer', function()
    h.workspace({ ['notes.txt'] = 'some notes\n' })
    -- A port nothing listens on.
    vim.env.OLLAMA_HOST = 'http://127.0.0.1:9'
    h.setup({ autostart = false })
    local text = report()
    common(text)
    assert.is_true(says(text, 'ERROR', 'Ollama does not answer at http://127%.0%.0%.1:9'), text)
    assert.truthy(text:find('ollama serve', 1, true), text)
  end)
end)
