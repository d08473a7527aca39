-- Starting the plugin when the server cannot run (one clear message, not one per file, and no Lua
-- error from the commands), and the :Burrow command line itself.
local h = require('helpers')

describe('setup', function()
  after_each(h.reset)

  it('reports a missing server command once, and again only when a command needs it', function()
    local ws = h.workspace({ ['one.txt'] = '1\n', ['two.txt'] = '2\n' })
    local notes = h.record_notes(true)
    require('burrow').setup({ cmd = { 'burrow-is-not-installed', '--stdio' } })
    h.edit(ws.path('one.txt'))
    h.edit(ws.path('two.txt'))
    local after_files = #notes
    vim.cmd('Burrow status')
    assert.are.equal(1, after_files)
    assert.are.equal(2, #notes)
    for _, note in ipairs(notes) do
      assert.truthy(note.msg:find('"burrow-is-not-installed" is not an executable on $PATH.', 1, true), note.msg)
      assert.are.equal(vim.log.levels.ERROR, note.level)
    end
  end)

  it('completes subcommands and their arguments, and answers an unknown subcommand with the usage', function()
    h.setup({ autostart = false })
    local commands = require('burrow.commands')
    local notes = h.record_notes(true)
    vim.cmd('Burrow frobnicate')
    vim.cmd('Burrow')
    local all = commands.complete('', 'Burrow ')
    for _, name in ipairs({ 'task', 'approve', 'revise', 'reject', 'apply', 'submit', 'chat', 'status', 'undo', 'models', 'doctor', 'grant', 'revoke', 'cancel', 'review', 'hunk', 'file', 'close', 'send', 'retry' }) do
      assert.truthy(vim.tbl_contains(all, name), name)
    end
    assert.are.same({ 'apply', 'approve' }, commands.complete('a', 'Burrow a'))
    assert.are.same({ 'next', 'prev', 'accept', 'reject', 'accept-all' }, commands.complete('', 'Burrow hunk '))
    assert.are.same({ '--provider', '--model' }, commands.complete('--', 'Burrow task --'))
    assert.are.equal(vim.log.levels.ERROR, notes[1].level)
    assert.truthy(notes[1].msg:find('unknown subcommand "frobnicate"', 1, true))
    assert.truthy(notes[1].msg:find(':Burrow task', 1, true))
    assert.are.equal(vim.log.levels.INFO, notes[2].level)
    assert.truthy(notes[2].msg:find(':Burrow approve', 1, true))
  end)
end)
