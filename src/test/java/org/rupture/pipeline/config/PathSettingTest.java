package org.rupture.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Where a path setting's value came from, and the error naming that place. */
class PathSettingTest {
  private static final String CONF = "conf/p.yaml";

  private static ConfigNode config(String key, String value) {
    ObjectNode tree = JsonNodeFactory.instance.objectNode();
    if (key != null) {
      tree.put(key, value);
    }
    return new ConfigNode(tree, CONF, "");
  }

  @Test
  void theCommandLineOverridesTheConfigFileWhichOverridesTheDefault() {
    assertEquals(new PathSetting("output", "x", PathSetting.Origin.COMMAND_LINE, CONF, "--output"),
        PathSetting.resolve(config("output", "y"), "output", "--output", "x", "out"));
    assertEquals(new PathSetting("output", "y", PathSetting.Origin.CONFIG_FILE, CONF, "--output"),
        PathSetting.resolve(config("output", "y"), "output", "--output", null, "out"));
    assertEquals(new PathSetting("output", "out", PathSetting.Origin.DEFAULT, CONF, "--output"),
        PathSetting.resolve(config(null, null), "output", "--output", null, "out"));
  }

  @Test
  void anErrorNamesWhereTheValueCameFromWithTheFixThatFitsIt() {
    ConfigException option = PathSetting.resolve(config("output", "y"), "output", "--output", "x", "out")
        .error("output folder x cannot be created", "a writable folder");
    assertEquals("--output x: output folder x cannot be created; pass --output DIR, a writable folder",
        option.getMessage());
    assertEquals(null, option.file());
    assertEquals("output", option.key());
    assertEquals("configuration error in conf/p.yaml at 'output': output folder y cannot be created; set output to a "
        + "writable folder or pass --output DIR", PathSetting.resolve(config("output", "y"), "output", "--output",
        null, "out").error("output folder y cannot be created", "a writable folder").getMessage());
    assertEquals("configuration error in conf/p.yaml at 'output': output folder out cannot be created; the config does "
        + "not set output (default 'out'); set output to a writable folder or pass --output DIR",
        PathSetting.resolve(config(null, null), "output", "--output", null, "out")
            .error("output folder out cannot be created", "a writable folder").getMessage());
    // no option sets sites; no fix: the problem says what to do
    assertEquals("configuration error in conf/p.yaml at 'sites': no site mappings found; set sites to the folder "
        + "holding <site>.yaml files", PathSetting.resolve(config("sites", "s"), "sites", null, null, "sites")
        .error("no site mappings found", "the folder holding <site>.yaml files").getMessage());
    assertEquals("--output x: no published run under x", PathSetting.resolve(config(null, null), "output", "--output",
        "x", "out").error("no published run under x", null).getMessage());
  }
}
