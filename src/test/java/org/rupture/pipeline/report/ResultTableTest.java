package org.rupture.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class ResultTableTest {
  private final ResultTable table = new ResultTable("t",
      ResultTable.schema("name", ResultTable.TEXT, "n", ResultTable.LONG, "value", ResultTable.DOUBLE, "ok",
          ResultTable.BOOL),
      List.of(RowFactory.create("Eubanks, \"2018\"", 3L, 0.25, true),
          RowFactory.create("plain", 4L, ResultTable.number(Double.NaN), null)));

  @Test
  void csvQuotesWhatNeedsQuotingAndLeavesNullsEmpty() {
    assertEquals("name,n,value,ok\n\"Eubanks, \"\"2018\"\"\",3,0.25,true\nplain,4,,\n", table.toCsv());
  }

  @Test
  void jsonHasTheSameColumnsWithNullsNotNaN() {
    assertEquals("[{\"name\":\"Eubanks, \\\"2018\\\"\",\"n\":3,\"value\":0.25,\"ok\":true},"
        + "{\"name\":\"plain\",\"n\":4,\"value\":null,\"ok\":null}]", table.toJson().toString());
  }
}
