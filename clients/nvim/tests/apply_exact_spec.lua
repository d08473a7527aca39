-- Applying an approved change leaves exactly the proposed text in the buffer and on disk, on every
-- Neovim the plugin supports: a change to the last line, lines added at the end (where Neovim 0.8 to
-- 0.12 used to leave a blank line), a file without a final newline, a CRLF file, a file that is not
-- open, one hunk accepted and one declined, and the same through vim.lsp.enable('burrow') alone.
local h = require('helpers')

-- `lines` as text joined by `eol`, with or without a final one.
local function text(lines, eol, final)
  return h.text(lines, nil, nil, eol, final)
end

local function changed(lines, changes, appended)
  local out = vim.deepcopy(lines)
  for i, line in pairs(changes) do
    out[i] = line
  end
  vim.list_extend(out, appended or {})
  return out
end

-- Run a task on `file` of a workspace holding `files`, from the buffer of `from` (nil: no file is
-- open), approve it, take the hunks `decide` says, and return what the buffer and disk hold.
local function apply(case)
  local ws = h.workspace(case.files)
  h.setup()
  local notes = h.record_notes(true)
  local buf = case.from and h.edit(ws.path(case.from)) or nil
  h.model.answer({ json = h.model.plan('Change ' .. case.file, { case.file }) }, { text = h.model.whole_files({ { case.file, case.proposal } }) })
  local id = h.start_task('change ' .. case.file)
  vim.cmd('Burrow approve')
  h.wait_for_state(id, 'awaitingChangesApproval')
  local review = require('burrow.review')
  h.wait_for('the diff tab', function()
    return review.current ~= nil
  end)
  if case.decide then
    for _, decision in ipairs(case.decide) do
      vim.cmd('Burrow hunk ' .. decision)
    end
    vim.cmd('Burrow submit')
  else
    vim.cmd('Burrow apply')
  end
  h.wait_for_state(id, 'applied')
  h.wait_for_written()
  local target = vim.fn.bufnr('^' .. vim.fn.escape(ws.path(case.file), '\\/.*$^~[]') .. '$')
  return {
    disk = ws.read(case.file),
    buffer = target ~= -1 and vim.api.nvim_buf_is_loaded(target) and h.buffer_text(target) or nil,
    warnings = h.messages_at(notes, vim.log.levels.WARN),
    buf = buf,
  }
end

local lines = h.numbered('let v%d = %d;', 12)

describe('applying approved changes', function()
  after_each(h.reset)

  local cases = {
    {
      name = 'a change to the last line',
      before = text(lines, '\n', true),
      after = text(changed(lines, { [1] = "let v1 = 'one';", [12] = "let v12 = 'twelve';" }), '\n', true),
    },
    {
      name = 'lines added after the last line',
      before = text(lines, '\n', true),
      after = text(changed(lines, { [1] = "let v1 = 'one';" }, { 'let v13 = 13;', 'let v14 = 14;' }), '\n', true),
    },
    {
      name = 'a file without a final newline, its last line changed',
      before = text(lines, '\n', false),
      after = text(changed(lines, { [12] = "let v12 = 'twelve';" }), '\n', false),
    },
    {
      name = 'a file without a final newline, a line added at its end',
      before = text(lines, '\n', false),
      after = text(changed(lines, {}, { 'let v13 = 13;' }), '\n', false),
    },
    {
      name = 'a CRLF file, first and last lines changed and a line added',
      before = text(lines, '\r\n', true),
      after = text(changed(lines, { [1] = "let v1 = 'one';", [12] = "let v12 = 'twelve';" }, { 'let v13 = 13;' }), '\r\n', true),
    },
  }

  for _, case in ipairs(cases) do
    it(case.name .. ', with the file open', function()
      local got = apply({ files = { ['values.js'] = case.before }, file = 'values.js', from = 'values.js', proposal = case.after })
      assert.are.equal(case.after, got.disk)
      assert.are.equal((case.after:gsub('\r\n', '\n')), got.buffer)
      assert.are.same({}, got.warnings)
    end)
  end

  it('a file that is not open: only the disk changes, exactly', function()
    local before = text(lines, '\n', true)
    local after = text(changed(lines, { [12] = "let v12 = 'twelve';" }, { 'let v13 = 13;' }), '\n', true)
    local got = apply({ files = { ['values.js'] = before, ['other.txt'] = 'other\n' }, file = 'values.js', from = 'other.txt', proposal = after })
    assert.are.equal(after, got.disk)
    assert.are.same({}, got.warnings)
  end)

  it('one hunk declined and the one at the end of the file accepted', function()
    local before = text(lines, '\n', true)
    local after = text(changed(lines, { [1] = "let v1 = 'one';" }, { 'let v13 = 13;' }), '\n', true)
    local expected = text(changed(lines, {}, { 'let v13 = 13;' }), '\n', true)
    local got = apply({ files = { ['values.js'] = before }, file = 'values.js', from = 'values.js', proposal = after, decide = { 'reject', 'accept' } })
    assert.are.equal(expected, got.disk)
    assert.are.equal(expected, got.buffer)
    assert.are.same({}, got.warnings)
  end)
end)

describe("vim.lsp.enable('burrow') with the shipped lsp/burrow.lua and no setup()", function()
  after_each(h.reset)

  it('runs a task end to end: one hunk accepted, one declined, at the end of the file', function()
    local lacking = h.lacks('0.11', 'vim.lsp.config and vim.lsp.enable arrived in 0.11')
    if lacking then
      return pending(lacking)
    end
    local before = text(lines, '\n', true)
    local after = text(changed(lines, { [1] = "let v1 = 'one';" }, { 'let v13 = 13;' }), '\n', true)
    local expected = text(changed(lines, { [1] = "let v1 = 'one';" }), '\n', true)
    local ws = h.workspace({ ['values.js'] = before })
    -- What a user of 0.11 writes instead of setup(): the command, then enable.
    vim.lsp.config('burrow', { cmd = h.server_cmd(), settings = { burrow = { models = { coder = 'qwen2.5-coder:1.5b' } } } })
    vim.lsp.enable('burrow')
    local notes = h.record_notes(true)
    local buf = h.edit(ws.path('values.js'))
    h.wait_for('the client from vim.lsp.enable', function()
      return #vim.lsp.get_clients({ name = 'burrow', bufnr = buf }) == 1
    end)
    h.model.answer({ json = h.model.plan('Change values.js', { 'values.js' }) }, { text = h.model.whole_files({ { 'values.js', after } }) })
    local id = h.start_task('change values.js')
    h.keys('a') -- the plan float has the focus
    local review = require('burrow.review')
    h.wait_for('the diff tab', function()
      return review.current ~= nil
    end)
    h.keys('ga')
    h.keys('gr')
    h.keys('<CR>')
    h.wait_for_state(id, 'applied')
    h.wait_for_written()
    assert.are.equal(expected, ws.read('values.js'))
    assert.are.equal(expected, h.buffer_text(buf))
    assert.are.same({}, h.messages_at(notes, vim.log.levels.WARN))
    vim.lsp.enable('burrow', false)
  end)
end)
